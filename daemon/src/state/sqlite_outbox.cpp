// insgate — SqliteStore: outbox management and activity reads, one
// transaction per call (autocommit), under the connection mutex.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <SQLiteCpp/SQLiteCpp.h>

#include <string>

#include "state/sqlite_store.hpp"
#include "state/sqlite_tx.hpp"
#include "state/state_error.hpp"

namespace insgate::state {
namespace {

using detail::to_unix;

template <class F>
auto guarded(const char* what, F&& f) {
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    throw StateError(std::string("state: ") + what + " failed (" + e.what() + ")");
  }
}

int64_t sql_limit(std::size_t limit) {
  return limit > static_cast<std::size_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(limit);
}

ActivityMonth read_month(SQLite::Statement& q) {
  ActivityMonth m;
  m.finess = q.getColumn(0).getString();
  m.mois = q.getColumn(1).getString();
  std::int64_t* fields[] = {&m.requetes_insi, &m.requetes_verification, &m.recuperations,
                            &m.verifications, &m.cr00, &m.cr01, &m.cr02, &m.erreurs,
                            &m.cache_hits, &m.operateurs_distincts, &m.personnes_distinctes};
  for (int i = 0; i < 11; ++i) *fields[i] = q.getColumn(2 + i).getInt64();
  return m;
}

constexpr const char* kMonthSelect =
    "SELECT a.finess, a.mois, requetes_insi, requetes_verification, recuperations, "
    "verifications, cr00, cr01, cr02, erreurs, cache_hits, "
    "(SELECT count(*) FROM activite_operateur o WHERE o.finess = a.finess AND o.mois = a.mois), "
    "(SELECT count(*) FROM activite_personne p WHERE p.finess = a.finess AND p.mois = a.mois) "
    "FROM activite a WHERE a.mois = ?";

}  // namespace

std::vector<OutboxRow> SqliteStore::pending(const std::optional<std::string>& plugin,
                                            std::size_t limit) {
  std::lock_guard lock(mutex_);
  return guarded("reading the outbox", [&] {
    std::string sql = std::string("SELECT ") + detail::kOutboxColumns +
                      " FROM outbox WHERE etat = 'pending'" +
                      (plugin ? " AND plugin IS ?" : "") + " ORDER BY id LIMIT ?";
    SQLite::Statement q(*db_, sql);
    int i = 1;
    if (plugin) q.bind(i++, *plugin);
    q.bind(i, sql_limit(limit));
    std::vector<OutboxRow> out;
    while (q.executeStep()) out.push_back(detail::read_outbox_row(q));
    return out;
  });
}

OutboxClaim SqliteStore::claim(const std::string& plugin, TimePoint now,
                               std::chrono::milliseconds /*lease*/) {
  // One daemon per state directory (StateServices locks it): the head row
  // is this daemon's to deliver, in plugin order.
  auto head = pending(plugin, 1);
  if (head.empty()) return {};
  if (head[0].next_attempt_at > now) return {std::nullopt, head[0].next_attempt_at};
  return {std::move(head[0]), std::nullopt};
}

bool SqliteStore::renew_lease(std::int64_t id, TimePoint /*now*/,
                              std::chrono::milliseconds /*lease*/) {
  // No lease in a file only one daemon opens: the row is ours while pending.
  std::lock_guard lock(mutex_);
  return guarded("reading the outbox", [&] {
    SQLite::Statement q(*db_, "SELECT 1 FROM outbox WHERE id = ? AND etat = 'pending'");
    q.bind(1, static_cast<int64_t>(id));
    return q.executeStep();
  });
}

bool SqliteStore::mark_delivered(std::int64_t id, TimePoint when) {
  std::lock_guard lock(mutex_);
  return guarded("updating the outbox", [&] {
    SQLite::Statement q(*db_, "UPDATE outbox SET etat = 'delivered', tentatives = tentatives + 1, "
                              "livre_le = ? WHERE id = ? AND etat = 'pending'");
    q.bind(1, static_cast<int64_t>(to_unix(when)));
    q.bind(2, static_cast<int64_t>(id));
    return q.exec() == 1;
  });
}

bool SqliteStore::mark_retry(std::int64_t id, TimePoint next_at, const std::string& error) {
  std::lock_guard lock(mutex_);
  return guarded("updating the outbox", [&] {
    SQLite::Statement q(*db_, "UPDATE outbox SET tentatives = tentatives + 1, "
                              "prochaine_tentative = ?, derniere_erreur = ? "
                              "WHERE id = ? AND etat = 'pending'");
    q.bind(1, static_cast<int64_t>(to_unix(next_at)));
    q.bind(2, error);
    q.bind(3, static_cast<int64_t>(id));
    return q.exec() == 1;
  });
}

bool SqliteStore::mark_dead(std::int64_t id, const std::string& error) {
  std::lock_guard lock(mutex_);
  return guarded("updating the outbox", [&] {
    SQLite::Statement q(*db_, "UPDATE outbox SET etat = 'dead', tentatives = tentatives + 1, "
                              "derniere_erreur = ? WHERE id = ? AND etat = 'pending'");
    q.bind(1, error);
    q.bind(2, static_cast<int64_t>(id));
    return q.exec() == 1;
  });
}

std::vector<OutboxRow> SqliteStore::list(OutboxState s, std::size_t limit) {
  std::lock_guard lock(mutex_);
  return guarded("reading the outbox", [&] {
    SQLite::Statement q(*db_, std::string("SELECT ") + detail::kOutboxColumns +
                                  " FROM outbox WHERE etat = ? ORDER BY id LIMIT ?");
    q.bind(1, std::string(to_name(s)));
    q.bind(2, sql_limit(limit));
    std::vector<OutboxRow> out;
    while (q.executeStep()) out.push_back(detail::read_outbox_row(q));
    return out;
  });
}

bool SqliteStore::retry_dead(std::int64_t id) {
  std::lock_guard lock(mutex_);
  return guarded("updating the outbox", [&] {
    SQLite::Statement q(*db_, "UPDATE outbox SET etat = 'pending', tentatives = 0, "
                              "prochaine_tentative = 0 WHERE id = ? AND etat = 'dead'");
    q.bind(1, static_cast<int64_t>(id));
    return q.exec() == 1;
  });
}

std::size_t SqliteStore::purge_delivered(TimePoint before) {
  std::lock_guard lock(mutex_);
  return guarded("purging the outbox", [&] {
    SQLite::Statement q(*db_, "DELETE FROM outbox WHERE etat = 'delivered' AND livre_le < ?");
    q.bind(1, static_cast<int64_t>(to_unix(before)));
    return static_cast<std::size_t>(q.exec());
  });
}

std::size_t SqliteStore::route_unrouted(const std::vector<PluginRoute>& plugins) {
  if (plugins.empty()) return 0;
  std::lock_guard lock(mutex_);
  return guarded("routing the outbox", [&] {
    SQLite::Transaction tx(*db_);
    constexpr const char* kCopy =
        "INSERT OR IGNORE INTO outbox (plugin, type_evenement, cle_idempotence, payload_json, "
        "cree_le, finess) SELECT ?1, type_evenement, cle_idempotence, payload_json, cree_le, "
        "finess FROM outbox WHERE plugin IS NULL AND etat = 'pending'";
    for (const auto& p : plugins) {
      // Copied in queue order; a plugin limited to some structures gets
      // only their rows (one placeholder per FINESS).
      std::string sql = kCopy;
      if (!p.structures.empty()) {
        sql += " AND finess IN (?";
        for (std::size_t i = 1; i < p.structures.size(); ++i) sql += ",?";
        sql += ")";
      }
      SQLite::Statement q(*db_, sql + " ORDER BY id");
      q.bind(1, p.name);
      for (std::size_t i = 0; i < p.structures.size(); ++i)
        q.bind(static_cast<int>(i + 2), p.structures[i]);
      q.exec();
    }
    // Handed over: the same idempotency key now has a row with a plugin.
    SQLite::Statement del(*db_, "DELETE FROM outbox WHERE plugin IS NULL AND etat = 'pending' "
                                "AND EXISTS (SELECT 1 FROM outbox o WHERE o.plugin IS NOT NULL "
                                "AND o.cle_idempotence = outbox.cle_idempotence)");
    const auto n = static_cast<std::size_t>(del.exec());
    tx.commit();
    return n;
  });
}

std::vector<OutboxBacklog> SqliteStore::pending_backlog() {
  std::lock_guard lock(mutex_);
  return guarded("reading the outbox", [&] {
    SQLite::Statement q(*db_, "SELECT plugin, count(*), min(cree_le) FROM outbox "
                              "WHERE etat = 'pending' GROUP BY plugin ORDER BY plugin");
    std::vector<OutboxBacklog> out;
    while (q.executeStep()) {
      OutboxBacklog b;
      if (!q.getColumn(0).isNull()) b.plugin = q.getColumn(0).getString();
      b.pending = q.getColumn(1).getInt64();
      b.oldest_created_at = detail::from_unix(q.getColumn(2).getInt64());
      out.push_back(std::move(b));
    }
    return out;
  });
}

std::optional<QualificationSnapshot> SqliteStore::qualification_snapshot(
    const std::string& finess, const std::string& mois) {
  std::lock_guard lock(mutex_);
  return guarded("reading the qualified-identity rate", [&]() -> std::optional<QualificationSnapshot> {
    SQLite::Statement q(*db_, "SELECT qualifiees, file_active, releve_le FROM taux_qualification "
                              "WHERE finess = ? AND mois = ?");
    q.bind(1, finess);
    q.bind(2, mois);
    if (!q.executeStep()) return std::nullopt;
    QualificationSnapshot s{finess, mois, q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                            detail::from_unix(q.getColumn(2).getInt64())};
    return s;
  });
}

void SqliteStore::put_qualification_snapshot(const QualificationSnapshot& s) {
  std::lock_guard lock(mutex_);
  guarded("writing the qualified-identity rate", [&] {
    SQLite::Statement q(*db_, "INSERT INTO taux_qualification (finess, mois, qualifiees, "
                              "file_active, releve_le) VALUES (?,?,?,?,?) "
                              "ON CONFLICT (finess, mois) DO UPDATE SET "
                              "qualifiees = excluded.qualifiees, "
                              "file_active = excluded.file_active, releve_le = excluded.releve_le");
    q.bind(1, s.finess);
    q.bind(2, s.mois);
    q.bind(3, static_cast<int64_t>(s.qualifiees));
    q.bind(4, static_cast<int64_t>(s.file_active));
    q.bind(5, static_cast<int64_t>(to_unix(s.releve_le)));
    q.exec();
  });
}

std::optional<ActivityMonth> SqliteStore::activity(const std::string& finess,
                                                   const std::string& mois) {
  std::lock_guard lock(mutex_);
  return guarded("reading activity", [&]() -> std::optional<ActivityMonth> {
    SQLite::Statement q(*db_, std::string(kMonthSelect) + " AND a.finess = ?");
    q.bind(1, mois);
    q.bind(2, finess);
    if (!q.executeStep()) return std::nullopt;
    return read_month(q);
  });
}

std::map<std::string, std::int64_t> SqliteStore::identity_counts(
    TimePoint active_since, const std::optional<std::string>& finess) {
  std::lock_guard lock(mutex_);
  return guarded("counting identities", [&] {
    SQLite::Statement q(*db_, finess ? "SELECT statut, COUNT(*) FROM identite WHERE maj_le >= ? "
                                       "AND finess = ? GROUP BY statut"
                                     : "SELECT statut, COUNT(*) FROM identite WHERE maj_le >= ? "
                                       "GROUP BY statut");
    if (finess) q.bind(2, *finess);
    q.bind(1, static_cast<std::int64_t>(
                  std::chrono::duration_cast<std::chrono::seconds>(active_since.time_since_epoch())
                      .count()));
    std::map<std::string, std::int64_t> out;
    while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
    return out;
  });
}

std::vector<ActivityMonth> SqliteStore::activity_month(const std::string& mois) {
  std::lock_guard lock(mutex_);
  return guarded("reading activity", [&] {
    SQLite::Statement q(*db_, std::string(kMonthSelect) + " ORDER BY a.finess");
    q.bind(1, mois);
    std::vector<ActivityMonth> out;
    while (q.executeStep()) out.push_back(read_month(q));
    return out;
  });
}

}  // namespace insgate::state
