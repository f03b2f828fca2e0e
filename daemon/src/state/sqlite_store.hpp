// insgate — the embedded state store: one SQLite file (through SQLiteCpp).
//
// Start-up (constructor), in this order, nothing written before step 4:
//  1. the state directory is created (0700) if missing; a missing file is
//     created empty with mode 0600 (O_EXCL, fchmod: the umask cannot widen it);
//  2. an existing file must be a regular file starting with the SQLite magic,
//     pass `PRAGMA quick_check` and have `PRAGMA user_version` ≤ kSchemaVersion,
//     else StateError and the file is left byte for byte as it was;
//  3. an existing file's mode is tightened to 0600;
//  4. WAL journal, foreign keys on, synchronous=FULL (NORMAL during a
//     Durability::relaxed transaction), busy timeout, then the
//     missing schema migrations in one IMMEDIATE transaction that also sets
//     user_version. SQLite creates -wal/-shm with the file's mode.
// Source rule: issue 5 "Embedded state store".
// Thread safety: [any-thread] one connection guarded by a mutex; every call
// (and a whole transact()) holds it, so calls are serialised. Several
// processes may open the file (SQLite locking + busy timeout).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

#include "state/state_store.hpp"

namespace SQLite {
class Database;
}
namespace insgate::state::detail {
class StatementCache;
}

namespace insgate::state {

/// Schema version this build writes (PRAGMA user_version).
inline constexpr int kSchemaVersion = 5;
/// File name inside the state directory.
inline constexpr const char* kStateFileName = "insgate-state.db";

struct SqliteOptions {
  std::filesystem::path directory;  ///< e.g. /var/lib/insgate (systemd StateDirectory)
  std::chrono::milliseconds busy_timeout{5000};
  /// The FINESS given to the rows a file written before schema version 5
  /// holds (one structure per daemon then): the configuration's first
  /// structure. Empty: they keep FINESS "" (no structure sees them).
  std::string legacy_finess{};
};

class SqliteStore final : public StateStore {
 public:
  /// @throw StateError: directory or file unusable, not a database, corrupt,
  /// schema newer than kSchemaVersion, or a migration failed (rolled back).
  explicit SqliteStore(const SqliteOptions& opt);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// PRAGMA user_version after start-up (== kSchemaVersion).
  int schema_version();

  using StateStore::transact;
  void transact_for(const std::string& finess, const std::function<void(StateTx&)>& work,
                    Durability d) override;

  std::vector<OutboxRow> pending(const std::optional<std::string>& plugin,
                                 std::size_t limit) override;
  /// The plugin's head row if due (one daemon per file: no lease kept).
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
  std::filesystem::path path_;
  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<detail::StatementCache> stmts_;  ///< after db_: destroyed first
  Durability sync_ = Durability::full;  ///< current PRAGMA synchronous
};

}  // namespace insgate::state
