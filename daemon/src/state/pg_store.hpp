// insgate — the shared state store: one PostgreSQL database (libpqxx) that
// several insgated instances use at once (fleet mode, issue 15).
//
// Same semantics as SqliteStore (state_store.hpp), with what a fleet needs:
//  - start-up: connects, takes a session advisory lock (kMigrationLock),
//    reads insgate_schema; a version newer than kPgSchemaVersion stops
//    start-up (StateError) and nothing is written; missing migrations run
//    in one transaction, then the lock is released. Two instances starting
//    together: the second waits, then finds the schema current.
//  - transactions: READ COMMITTED; a transaction that reads or writes
//    identities, their history or status log, or queues an outbox event
//    first takes a transaction advisory lock on its FINESS, so the
//    read-modify-write of an identity is serialised per structure across
//    the fleet (what SQLite's single writer gives one daemon). Cache reads
//    and writes and activity upserts take no lock.
//  - durability: full = synchronous_commit on; relaxed = off (a server
//    crash may lose the last commits), unless an outbox event was queued.
//  - outbox: rows leased per instance (claim), see OutboxStore::claim.
//  - activity: upserts (INSERT … ON CONFLICT DO UPDATE), distinct
//    operators and persons as keyed rows: every instance reads the same
//    month.
//  - the activity HMAC key lives in the database (activity_key).
// The connection string may hold a password: it is never logged nor put
// in an error message (errors carry the server's reason only).
// Thread safety: [any-thread] a bounded pool of `connections` connections;
// calls beyond it wait (PgPool).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "state/state_store.hpp"

namespace insgate::state {
namespace detail {
class PgPool;
}

/// Schema version this build writes (table insgate_schema).
inline constexpr int kPgSchemaVersion = 1;
/// pg_advisory_lock key serialising the migrations of every instance.
inline constexpr std::int64_t kMigrationLock = 0x696e7367617465;  // "insgate"

struct PgOptions {
  std::string conninfo;  ///< libpq connection string; secret, never logged
  std::size_t connections = 4;
  /// How long a call waits for a free connection before StateError.
  std::chrono::milliseconds pool_wait{10000};
  /// Names this instance in outbox leases; empty: host:pid:random.
  std::string instance_id{};
};

/// The connection string in `path` (etat.postgresql.conninfo_fichier),
/// trailing newlines removed. Errors name the file, never its content.
/// @throw StateError when it cannot be read or is empty.
std::string read_pg_conninfo(const std::string& path);

class PgStore final : public StateStore {
 public:
  /// @throw StateError: cannot connect, schema newer than kPgSchemaVersion
  /// (database left untouched), or a migration failed (rolled back).
  explicit PgStore(const PgOptions& opt);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  /// The schema version in the database (== kPgSchemaVersion after start-up).
  int schema_version();
  /// The name this instance leases outbox rows under.
  const std::string& instance_id() const { return instance_id_; }
  /// The installation's activity HMAC key, shared by every instance: the
  /// one stored, or `candidate` stored now if there is none yet (the first
  /// instance's wins a race). Never logged. @throw StateError
  std::string activity_key(const std::string& candidate);
  /// Opens a connection and runs SELECT 1. @return false when unreachable.
  bool reachable() noexcept;

  using StateStore::transact;
  void transact_for(const std::string& finess, const std::function<void(StateTx&)>& work,
                    Durability d) override;

  std::vector<OutboxRow> pending(const std::optional<std::string>& plugin,
                                 std::size_t limit) override;
  OutboxClaim claim(const std::string& plugin, TimePoint now,
                    std::chrono::milliseconds lease) override;
  bool renew_lease(std::int64_t id, TimePoint now, std::chrono::milliseconds lease) override;
  bool mark_delivered(std::int64_t id, TimePoint when) override;
  bool mark_retry(std::int64_t id, TimePoint next_at, const std::string& error) override;
  bool mark_dead(std::int64_t id, const std::string& error) override;
  std::vector<OutboxRow> list(OutboxState s, std::size_t limit) override;
  bool retry_dead(std::int64_t id) override;
  std::size_t purge_delivered(TimePoint before) override;
  std::size_t route_unrouted(const std::vector<PluginRoute>& plugins) override;
  std::vector<OutboxBacklog> pending_backlog() override;

  std::optional<ActivityMonth> activity(const std::string& finess,
                                        const std::string& mois) override;
  std::vector<ActivityMonth> activity_month(const std::string& mois) override;
  std::map<std::string, std::int64_t> identity_counts(
      TimePoint active_since, const std::optional<std::string>& finess) override;
  std::optional<QualificationSnapshot> qualification_snapshot(const std::string& finess,
                                                              const std::string& mois) override;
  void put_qualification_snapshot(const QualificationSnapshot& s) override;

 private:
  std::string instance_id_;
  std::unique_ptr<detail::PgPool> pool_;
};

}  // namespace insgate::state
